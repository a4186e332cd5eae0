"""sha256 of the shipped weight files, written by scripts/train_attention.py."""

CHECKSUMS = {
    "cnn.npz": "362015e2aa0e19114e306094008452efd1879869d30cfd2d1310fe8cef90270f",
    "cnn_10.npz": "de2eefd973dae3cfac8dff5fbad509862bbb934ef32b7562a3f187521c3c10fb",
    "cnn_30.npz": "c40583aa438b51ae86a1a493b91db925047adc403e7f61cdb6d7bff5db6f46b9",
    "vit.npz": "fc270bcf6c52b6785088e62278940098d782b0f3bb4750ace6c1a1bed92e52c3",
    "vit_10.npz": "0ec5485b6d74702129790d5f33149a81f2fc85aa67a3b2bf166e762760ae78ee",
    "vit_30.npz": "beb042c747f03542ed513806c368aef88d9bb9b6adaf75d7aa28f61d24e2dfc0",
    "vit_no_positions.npz": "d3b6578ee2f01612c8daa880581bcb5bf763211dbe7383da63a114453b450d9b"
}
