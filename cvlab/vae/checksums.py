"""sha256 of the shipped weight files, written by scripts/train_vae.py."""

CHECKSUMS = {
    "ae.npz": "dc5c157b9837d14f74e9a51ec9e7b24c821aa1a08734d714517952961b89335e",
    "vae.npz": "914ad0564dc0843d667c7146045d0135ba851f0b6554fc74f73adfb26be18635",
    "vae2d.npz": "14579c736b3f9ff945dd7927cc6fc72bdadc08e13104f8dd9ac8cf423b141829",
    "vae2d_beta0.5.npz": "f5ca29ea5193d770e0eccade8331624910a993c52199c78877e3aca9ff516d42",
    "vae2d_beta2.npz": "b95bfcc828bef8fe3626e336cf3523587d8709783d9ae8445feac547c3d6f3d9",
    "vae2d_beta4.npz": "76c65278381d647a70061dd253faea5d5074ec338fe1eb0834f9f034170c5d46",
    "vae2d_beta8.npz": "bdb3d60ed0c1dc47f081f14b9f3c863657bee9f9e6c7bf223157636052b844ee"
}
