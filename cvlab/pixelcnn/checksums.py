"""sha256 of the shipped weight files, written by scripts/train_pixelcnn.py."""

CHECKSUMS = {
    "gated.npz": "eac3b30d9a18f7d276a3d1af0193b795b9c1a1dd20e47e10461f6a79cc06b7a1",
    "plain.npz": "fcebd2e0af3aa84b1c1257d46cf5df5079ef3973c16b79bef7be22e737d75d55"
}
