"""sha256 of the shipped weight files, written by scripts/train_attention.py."""

CHECKSUMS = {
    "cnn.npz": "30b2a5d513ac65e76eb5f9097f28cee344afa88d20e34b05fe98f204b1725b27",
    "cnn_10.npz": "8fb071d197ec1475cfbfc04e564b41f9c5a73703c7c035eeb66ec95d8d9f52dc",
    "cnn_30.npz": "96047aa243692b16977b73d94dc75058c4e4d75461d2b630c41dbf488a997030",
    "vit.npz": "e2b66eb77c89fd4c130e8c856ab9dce014059c01ec2a89ce74766b71bb087c70",
    "vit_10.npz": "bc328562cbab52344109cc9707a22b58ee310e3efccbbb3dd360e5d544fb69f4",
    "vit_no_positions.npz": "a53a5b3d3a99b5420b6d0fac494d69d3cf344f8aaa98b333df2914b6178ddb0b"
}
