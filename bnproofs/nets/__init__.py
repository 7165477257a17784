"""Networks with batch normalisation: the BN operator, ReLU networks, their training, rescalings, and the deep, convolutional, whitened and BN-after-ReLU models."""
