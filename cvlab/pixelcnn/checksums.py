"""sha256 of the shipped weight files, written by scripts/train_pixelcnn.py."""

CHECKSUMS = {
    "depth16_no_residual.npz": "595ca270276f501e5e6ac041cd898ad8a1004e5267792c6c0a539c9c1736acdd",
    "depth16_residual.npz": "f17115462d08686f1611c7c5d5ff830e492df5619f08544b2912f7c6655dfe66",
    "depth2_no_residual.npz": "8ea7a13960fbd7966f03ff3533267c94721bf7c4c07b2c3e708fc38e6cfdbac0",
    "depth2_residual.npz": "7c0f941d6f67d851ad570f9f0174806f07b769314b041010adde211feca1602f",
    "depth4_no_residual.npz": "3ba12542adccc24e31b54654c260898a12e0a681223fa573b918cac188cb105e",
    "depth4_residual.npz": "c016bc8c7d51d3cef94727ec283e70a52a77c6c5e4e8adbb10a459603f7b34cd",
    "depth8_no_residual.npz": "8e53fbeeb68778066d2033c07dd501840e4275bd203a62392dca3668018101fd",
    "depth8_residual.npz": "4617bfe747aa1040e929ac98f6841143b9be366a1d08e3b1665f1c7864607d53",
    "gated.npz": "6d44d3ef4035d87a9d3688b7e7fa29e7a6d9c82728f090aa249da2939fd11362",
    "plain.npz": "3768439cd95bb483d039888e66abb930579f61f1751b65ff49d413ef737e88e1",
    "plain_no_decay.npz": "c6f8723c5350617470be2cfce377f5d592459dace7eee1a0ef61d49cec54d912"
}
