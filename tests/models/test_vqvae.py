"""The RVQ-VAE: time-aligned shapes, exact code round trips, -1 masking, any length."""

from __future__ import annotations

import pytest
import torch
from tests.helpers import N_MELS

from distill.models.vqvae import ConvVQVAE, VQVAEConfig, adaptive_codebook_size


def small_model(levels: int = 3, size: int = 16) -> ConvVQVAE:
    torch.manual_seed(0)
    model = ConvVQVAE(
        VQVAEConfig(
            hidden_channels=32,
            latent_dim=8,
            num_levels=levels,
            codebook_size=size,
            residual_dilations=(1,),
        )
    )
    with torch.no_grad():
        model(torch.randn(4, 1, N_MELS, 64))  # k-means init
    return model.eval()


def test_columns_are_time():
    model = small_model()
    mel = torch.randn(2, 1, N_MELS, 100)
    latent = model.encode(mel)
    assert latent.shape == (2, 8, 1, 25)
    assert model._spatial_shape == (1, 25)
    quantized, codes, commitment = model.quantize(latent)
    assert quantized.shape == latent.shape
    assert codes.shape == (2, 25, 3)
    assert commitment.dim() == 0


@pytest.mark.parametrize("frames", [1, 3, 4, 97, 130])
def test_any_length_decodes_to_the_same_number_of_frames(frames):
    model = small_model()
    mel = torch.randn(1, 1, N_MELS, frames)
    with torch.no_grad():
        recon, codes, _ = model(mel)
    assert recon.shape == mel.shape
    assert codes.shape[1] == -(-frames // 4)


def test_quantize_then_codes_to_embeddings_is_exact():
    model = small_model()
    with torch.no_grad():
        latent = model.encode(torch.randn(2, 1, N_MELS, 64))
        quantized, codes, _ = model.quantize(latent)
        rebuilt = model.codes_to_embeddings(codes, (1, codes.shape[1]))
        library, _, _ = model.quantizer(latent.squeeze(2).transpose(1, 2))
    assert torch.equal(rebuilt, quantized)
    # and it agrees with the quantizer library's own sum of levels
    assert torch.allclose(library.transpose(1, 2), quantized.squeeze(2), atol=1e-5)


def test_minus_one_means_the_level_adds_nothing():
    model = small_model()
    codes = torch.tensor([[[3, 5, 7], [3, -1, -1]]])
    embeddings = model.codes_to_embeddings(codes, (1, 2))[0, :, 0]  # [D, 2]
    codebooks = model.quantizer.codebooks
    assert torch.allclose(embeddings[:, 0], codebooks[0][3] + codebooks[1][5] + codebooks[2][7])
    assert torch.allclose(embeddings[:, 1], codebooks[0][3])
    silent = model.codes_to_embeddings(torch.full((1, 2, 3), -1), (1, 2))
    assert torch.count_nonzero(silent) == 0


def test_codes_to_embeddings_rejects_bad_codes():
    model = small_model()
    with pytest.raises(ValueError, match="out of range"):
        model.codes_to_embeddings(torch.tensor([[[16, 0, 0]]]), (1, 1))
    with pytest.raises(ValueError, match="out of range"):
        model.codes_to_embeddings(torch.tensor([[[-2, 0, 0]]]), (1, 1))
    with pytest.raises(ValueError, match="codes must be"):
        model.codes_to_embeddings(torch.zeros(1, 4, 2, dtype=torch.long), (1, 4))
    with pytest.raises(ValueError, match="spatial shape"):
        model.codes_to_embeddings(torch.zeros(1, 4, 3, dtype=torch.long), (1, 5))


def test_eval_mode_is_deterministic():
    model = small_model()
    mel = torch.randn(1, 1, N_MELS, 40)
    with torch.no_grad():
        a, codes_a, _ = model(mel)
        b, codes_b, _ = model(mel)
    assert torch.equal(a, b) and torch.equal(codes_a, codes_b)


def test_quantizer_dropout_only_in_training_and_only_on_some_batches():
    model = small_model(levels=4)
    model.train()
    dropped = 0
    for _ in range(40):
        _, codes, _ = model(torch.randn(2, 1, N_MELS, 16))
        dropped += int((codes == -1).any())
    assert 5 < dropped < 35  # config.quantizer_dropout = 0.5 of batches, minus full-depth draws
    model.eval()
    with torch.no_grad():
        _, codes, _ = model(torch.randn(2, 1, N_MELS, 16))
    assert (codes >= 0).all()


def test_residual_dropout_acts_only_while_training_and_adds_no_weights():
    torch.manual_seed(0)
    plain = ConvVQVAE(VQVAEConfig(hidden_channels=16, latent_dim=8, residual_dilations=(1,)))
    dropped = ConvVQVAE(
        VQVAEConfig(hidden_channels=16, latent_dim=8, residual_dilations=(1,), dropout=0.3)
    )
    assert plain.state_dict().keys() == dropped.state_dict().keys()  # old files load as they are
    dropped.load_state_dict(plain.state_dict())
    mel = torch.randn(1, 1, N_MELS, 32)
    with torch.no_grad():
        dropped.train()
        first = dropped.decoder(dropped.encoder(mel.squeeze(1)))
        second = dropped.decoder(dropped.encoder(mel.squeeze(1)))
        assert not torch.equal(first, second)  # a fresh dropout mask each pass
        dropped.eval()
        plain.eval()
        assert torch.equal(dropped.encoder(mel.squeeze(1)), plain.encoder(mel.squeeze(1)))
    with pytest.raises(ValueError, match="dropout must be"):
        VQVAEConfig(dropout=1.0)
    stored = VQVAEConfig().to_dict()
    del stored["dropout"]  # a file saved before the field existed was trained without it
    assert VQVAEConfig.from_dict(stored).dropout == 0.0


def test_config_validation_and_adaptive_codebook():
    with pytest.raises(ValueError, match="levels must be 2-8"):
        VQVAEConfig(num_levels=9)
    with pytest.raises(ValueError, match="levels must be 2-8"):
        VQVAEConfig(num_levels=1)
    assert [adaptive_codebook_size(n) for n in (5, 20, 21, 100, 101, 500)] == [
        64,
        64,
        128,
        128,
        256,
        256,
    ]
    config = VQVAEConfig(num_levels=6)
    assert VQVAEConfig.from_dict(config.to_dict()) == config


def test_a_linear_output_decodes_every_stft_bin_and_old_mel_files_keep_their_head():
    from distill.models.vqvae import OUTPUTS

    config = VQVAEConfig(
        hidden_channels=16,
        latent_dim=8,
        residual_dilations=(1,),
        output="linear",
        linear_head_channels=12,
    )
    model = ConvVQVAE(config).eval()
    with torch.no_grad():
        model.train()(torch.randn(2, 1, config.n_mels, 32))  # k-means init
        model.eval()
        output, codes, _ = model(torch.randn(1, 1, config.n_mels, 30))
    assert output.shape == (1, 1, config.linear_bins, 30) and codes.shape[1] == 8
    mel_model = ConvVQVAE(VQVAEConfig(hidden_channels=16, latent_dim=8, residual_dilations=(1,)))
    last = max(int(k.split(".")[2]) for k in mel_model.state_dict() if k.startswith("decoder.net."))
    assert f"decoder.net.{last}.weight" in mel_model.state_dict()  # where files always had it
    assert OUTPUTS == ("mel", "linear")
    with pytest.raises(ValueError, match="output must be one of"):
        VQVAEConfig(output="wave")
