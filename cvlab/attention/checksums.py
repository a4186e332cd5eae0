"""sha256 of the shipped weight files, written by scripts/train_attention.py."""

CHECKSUMS = {
    "cnn.npz": "d92905be8180e7d5421f090bdf84f4280612b648f408ba31a719dcfcfa70c60a",
    "cnn_10.npz": "8c0f0ca39be28c38ecd3b0c90898a6e361187f47d7aa64106a038fba1f341050",
    "cnn_30.npz": "dea0d00bdd7cc58e22b57406508d43415b6171da69a24ecc362e3fbf26456fb6",
    "vit.npz": "e2b66eb77c89fd4c130e8c856ab9dce014059c01ec2a89ce74766b71bb087c70",
    "vit_10.npz": "bc328562cbab52344109cc9707a22b58ee310e3efccbbb3dd360e5d544fb69f4",
    "vit_30.npz": "9181a67d92f22ac657d441d5fff3f73830f47d32f394fa2cd6baf2b927fcf64d",
    "vit_no_positions.npz": "a53a5b3d3a99b5420b6d0fac494d69d3cf344f8aaa98b333df2914b6178ddb0b"
}
