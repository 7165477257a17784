"""Patches, conv-BN and program (15) with the CNN rebuilt from it."""

import numpy as np
import pytest

pytest.importorskip("torch")  # noqa: E402

from bnproofs.certify.two_layer import certify_program
from bnproofs.data import InputError
from bnproofs.nets import cnn
from bnproofs.nets.network import Layer, Net, forward
from bnproofs.programs.cnn import patch_matrix, program_15


def test_patches_1d_2d_stride_padding(rng):
    X = rng.standard_normal((3, 6))
    P = cnn.patches(X, 2, stride=2, padding=1)
    Xp = np.pad(X, ((0, 0), (1, 1)))
    assert P.shape == (4, 3, 2)
    assert all(np.array_equal(P[k], Xp[:, 2 * k:2 * k + 2]) for k in range(4))
    X2 = rng.standard_normal((2, 2, 3, 3))
    P2 = cnn.patches(X2, (2, 2))
    assert P2.shape == (4, 2, 8)
    assert np.array_equal(P2[3], X2[:, :, 1:3, 1:3].reshape(2, 8))
    with pytest.raises(InputError):
        cnn.patches(X, 9)


def test_conv_bn_is_the_formula_after_13(rng):
    P = cnn.patches(rng.standard_normal((4, 6)), 3)
    W, g, a, w = rng.standard_normal((3, 5)), rng.standard_normal(5), rng.standard_normal(5), \
        rng.standard_normal(5)
    net = Net([Layer(W, g, a)], w, pool=P.shape[0])
    assert np.allclose(forward(net, patch_matrix(P)), cnn.forward_13(P, W, g, a, w), atol=1e-13)
    Z = np.einsum("knh,hm->knm", P, W)
    out = cnn.conv_bn(Z, g, a)
    assert np.allclose(out.sum(axis=(0, 1)), a * np.sqrt(Z.shape[0] * Z.shape[1]))  # shift 1/√(nK)
    import torch
    t = cnn.conv_bn_torch(torch.as_tensor(Z), torch.as_tensor(g), torch.as_tensor(a)).numpy()
    assert np.allclose(t, out, atol=1e-13)


def test_program_15_bracket_and_rebuilt_cnn(rng):
    P = cnn.patches(rng.standard_normal((4, 5)), 2)
    y = rng.standard_normal(4)
    prog = program_15(P, y, 0.2)
    opt = certify_program(prog.program, prog.whitened, prog.M, pool=prog.K)
    assert opt.solvers_optimal and opt.width <= 1e-6 * max(1, opt.upper)
    assert abs(opt.upper - opt.convex) <= 1e-6 * max(1, opt.convex)
