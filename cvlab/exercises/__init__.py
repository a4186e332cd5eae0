"""Self-checks for the notebooks' exercises (练习): each runs your function against cvlab's."""

from .attention import check_attention, check_merge_heads, check_patchify, check_split_heads
from .convolution import check_conv_params, check_linearity_gap, check_receptive_field
from .edges import check_hysteresis, check_non_max_suppression, check_sobel_gradient
from .features import check_ratio_test, check_structure_tensor
from .filtering import check_correlate2d, check_gaussian_kernel, check_zero_pad
from .histograms import check_histogram, check_saturated_add
from .pixelcnn import check_bits_per_dim, check_type_a_mask
from .vae import check_kl_standard_normal, check_negative_elbo_bits, check_reparameterize

__all__ = ["check_histogram", "check_saturated_add", "check_zero_pad", "check_correlate2d", "check_gaussian_kernel",
           "check_linearity_gap", "check_conv_params", "check_receptive_field",
           "check_sobel_gradient", "check_non_max_suppression", "check_hysteresis",
           "check_type_a_mask", "check_bits_per_dim",
           "check_structure_tensor", "check_ratio_test",
           "check_reparameterize", "check_kl_standard_normal", "check_negative_elbo_bits",
           "check_attention", "check_split_heads", "check_merge_heads", "check_patchify"]
