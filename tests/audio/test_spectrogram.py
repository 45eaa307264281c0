"""The front end: shapes, the mel filterbank, log scaling and Griffin-Lim inversion."""

from __future__ import annotations

import math

import pytest
import torch

from distill.audio.spectrogram import (
    AudioSpectrogram,
    SpectrogramConfig,
    mel_filterbank,
    multiscale_mel_distance,
)


def tone(seconds: float = 1.0, freq: float = 440.0) -> torch.Tensor:
    t = torch.arange(int(seconds * 48000)) / 48000
    return (0.3 * torch.sin(2 * math.pi * freq * t)).reshape(1, 1, -1)


def test_shapes_follow_the_hop():
    spectrogram = AudioSpectrogram()
    mel = spectrogram.waveform_to_mel(tone(1.0))
    assert mel.shape == (1, 1, SpectrogramConfig().n_mels, 48000 // 512 + 1)
    assert spectrogram.num_frames(48000) == mel.shape[-1]


def test_batch_of_two_is_two_singles():
    spectrogram = AudioSpectrogram()
    a, b = tone(0.5, 220), tone(0.5, 880)
    batch = spectrogram.waveform_to_mel(torch.cat([a, b]))
    assert torch.allclose(batch[1:], spectrogram.waveform_to_mel(b), atol=1e-5)


def test_filterbank_covers_the_spectrum_without_gaps():
    bank = mel_filterbank(SpectrogramConfig())
    assert bank.shape == (SpectrogramConfig().n_mels, 1025)
    assert (bank >= 0).all()
    # every bin between the first and last filter centre feeds at least one filter
    covered = bank.sum(dim=0) > 0
    first, last = covered.nonzero()[0].item(), covered.nonzero()[-1].item()
    assert covered[first : last + 1].all()


def test_tone_lands_in_the_right_mel_band():
    spectrogram = AudioSpectrogram()
    low = spectrogram.waveform_to_mel(tone(1.0, 200))[0, 0].mean(dim=-1).argmax()
    high = spectrogram.waveform_to_mel(tone(1.0, 4000))[0, 0].mean(dim=-1).argmax()
    assert high > low + 20


def test_log_scaling_round_trips_and_floors_silence():
    spectrogram = AudioSpectrogram()
    power = torch.tensor([0.0, 1e-6, 1.0, 1e3])
    assert torch.allclose(
        spectrogram.log_to_power(spectrogram.power_to_log(power)), power, rtol=1e-4, atol=1e-9
    )
    silence = spectrogram.waveform_to_mel(torch.zeros(1, 1, 4800))
    assert torch.allclose(silence, torch.full_like(silence, spectrogram.config.silence))
    assert spectrogram.config.silence == pytest.approx(-1.5)  # log10(1e-10) + 4, over 4
    assert SpectrogramConfig(power_floor=1e-8).silence == pytest.approx(-1.0)


def test_griffin_lim_is_deterministic_and_length_exact():
    spectrogram = AudioSpectrogram()
    mel = spectrogram.waveform_to_mel(tone(0.5))
    a = spectrogram.mel_to_waveform(mel, num_iterations=4, length=24000)
    b = spectrogram.mel_to_waveform(mel, num_iterations=4, length=24000)
    assert a.shape == (1, 1, 24000)
    assert torch.equal(a, b)


@pytest.mark.parametrize(("n_fft", "hop"), [(2048, 512), (1024, 256), (2048, 300)])
def test_the_inverse_stft_is_torchs(n_fft: int, hop: int):
    """The inversion's own overlap-add (hop dividing n_fft; otherwise torch.istft itself)
    gives torch.istft's samples, for a batch, odd lengths and a length shorter than the
    frames hold."""
    spectrogram = AudioSpectrogram(SpectrogramConfig(n_fft=n_fft, hop_length=hop))
    generator = torch.Generator().manual_seed(0)
    for num_samples, length in [(48000, 48000), (48001, 47900), (5000, 5000), (700, 700)]:
        spectrum = spectrogram._stft(torch.randn(2, num_samples, generator=generator))
        ours = spectrogram._istft(spectrum, length)
        theirs = torch.istft(
            spectrum, n_fft, hop, window=spectrogram.window, center=True, length=length
        )
        assert ours.shape == theirs.shape == (2, length)
        assert torch.allclose(ours, theirs, atol=1e-5), (num_samples, length)


def test_griffin_lim_iterations_improve_the_reconstruction():
    spectrogram = AudioSpectrogram()
    wave = tone(0.5, 330) + 0.05 * torch.randn(
        1, 1, 24000, generator=torch.Generator().manual_seed(0)
    )
    mel = spectrogram.waveform_to_mel(wave)
    rough = spectrogram.mel_to_waveform(mel, num_iterations=0, length=24000)
    refined = spectrogram.mel_to_waveform(mel, num_iterations=16, length=24000)
    assert multiscale_mel_distance(wave[0, 0], refined[0, 0]) < multiscale_mel_distance(
        wave[0, 0], rough[0, 0]
    )
    # energy is held: within 3 dB of the original
    ratio = refined.pow(2).mean() / wave.pow(2).mean()
    assert abs(10 * math.log10(ratio.item())) < 3


def test_short_input_still_gives_frames():
    spectrogram = AudioSpectrogram()
    assert spectrogram.waveform_to_mel(torch.zeros(1, 1, 10)).shape[-1] == 1


def test_bad_shapes_raise_clear_errors():
    spectrogram = AudioSpectrogram()
    with pytest.raises(ValueError, match=r"\[B, 1, S\]"):
        spectrogram.waveform_to_mel(torch.zeros(4800))
    with pytest.raises(ValueError, match=r"\[B, 1, M, F\]"):
        spectrogram.mel_to_waveform(torch.zeros(128, 10))


def test_distance_is_zero_for_identical_and_grows_with_noise():
    wave = tone(0.5)[0, 0]
    noisy = wave + 0.1 * torch.randn(wave.shape, generator=torch.Generator().manual_seed(1))
    assert multiscale_mel_distance(wave, wave) == pytest.approx(0.0, abs=1e-6)
    assert multiscale_mel_distance(wave, noisy) > 0.1


def harmonic_tone(seconds: float = 0.5, freq: float = 220.0) -> torch.Tensor:
    t = torch.arange(int(seconds * 48000)) / 48000
    partials = sum(torch.sin(2 * math.pi * k * freq * t) / k for k in range(1, 16))
    return (0.2 * partials).reshape(1, 1, -1)


def test_refined_magnitude_fits_the_mel_bands_better_than_the_pseudo_inverse():
    old = AudioSpectrogram(SpectrogramConfig(magnitude_iterations=0))
    new = AudioSpectrogram()
    wave = harmonic_tone()
    mel = new.waveform_to_mel(wave)
    target = new.log_to_power(mel).squeeze(1)  # [1, M, F] mel power

    def band_error(spectrogram: AudioSpectrogram) -> float:
        rebuilt = torch.matmul(spectrogram.filterbank, spectrogram.mel_to_magnitude(mel).square())
        return (torch.log10(rebuilt + 1e-6) - torch.log10(target + 1e-6)).abs().mean().item()

    assert (new.mel_to_magnitude(mel) >= 0).all()
    assert band_error(new) < 0.8 * band_error(old)


def test_refined_magnitude_round_trips_a_harmonic_tone_closer():
    from distill.audio.metrics import harmonic_distance
    from distill.audio.metrics import multiscale_mel_distance as ruler_mel

    wave = harmonic_tone()
    old = AudioSpectrogram(SpectrogramConfig(n_mels=128, magnitude_iterations=0))
    new = AudioSpectrogram()
    old_out = old.mel_to_waveform(old.waveform_to_mel(wave), length=wave.shape[-1])[0, 0]
    new_out = new.mel_to_waveform(new.waveform_to_mel(wave), length=wave.shape[-1])[0, 0]
    assert ruler_mel(wave[0, 0], new_out) < ruler_mel(wave[0, 0], old_out)
    assert harmonic_distance(wave[0, 0], new_out) < harmonic_distance(wave[0, 0], old_out)


def test_old_front_end_without_new_keys_loads_with_its_own_bands():
    old = {k: v for k, v in SpectrogramConfig(n_mels=128).to_dict().items()}
    old.pop("magnitude_iterations")
    config = SpectrogramConfig.from_dict(old)
    assert config.n_mels == 128
    assert config.magnitude_iterations == SpectrogramConfig().magnitude_iterations


def syllables() -> torch.Tensor:
    """Two 0.25 s harmonic bursts cut hard to digital silence, as a synthesised voice is."""
    burst = harmonic_tone(0.25, 180.0)[0, 0]
    gap = torch.zeros(12000)
    return torch.cat([gap, burst, gap, burst, gap]).reshape(1, 1, -1)


UNGATED = SpectrogramConfig(silence_gate_db=0.0, spill_gate_db=0.0)


def test_the_inversion_keeps_a_silent_frames_span_silent():
    wave = syllables()
    gated = AudioSpectrogram()
    ungated = AudioSpectrogram(UNGATED)
    mel = gated.waveform_to_mel(wave)
    length = wave.shape[-1]
    with_gate = gated.mel_to_waveform(mel, length=length)[0, 0]
    without = ungated.mel_to_waveform(mel, length=length)[0, 0]
    # within a window after a burst's hard end, Griffin-Lim alone spreads the last frames
    # over their whole window; held to the silent frames' span it leaves far less there
    after = slice(24000 + 256, 24000 + 1024)
    assert with_gate[after].square().mean() < 0.1 * without[after].square().mean()
    # the bursts themselves come back as loud as without the gate
    burst = slice(12000 + 2048, 24000 - 2048)
    ratio_db = 10 * math.log10(with_gate[burst].square().mean() / without[burst].square().mean())
    assert abs(ratio_db) < 0.5


def test_silence_a_decoder_renders_near_the_floor_is_not_filled_from_beside_it():
    spectrogram = AudioSpectrogram()
    wave = syllables()
    # a decoder renders silence a little above the floor (10 dB here), not at it
    mel = spectrogram.waveform_to_mel(wave).clamp(min=spectrogram.config.silence + 0.25)
    length = wave.shape[-1]
    with_gate = spectrogram.mel_to_waveform(mel, length=length)[0, 0]
    without = AudioSpectrogram(UNGATED).mel_to_waveform(mel, length=length)[0, 0]
    # the window after a burst: Griffin-Lim alone fills it with the burst's last frames,
    # tens of dB above what its frames ask; the spill gate leaves it silent
    after = slice(24000 + 256, 24000 + 2048)
    assert without[after].abs().max() > 0
    assert with_gate[after].abs().max() == 0
    # the gap's middle asks for its faint floor and gets it, as without the gate
    middle = slice(24000 + 2048, 36000 - 2048)
    ratio_db = 10 * math.log10(with_gate[middle].square().mean() / without[middle].square().mean())
    assert abs(ratio_db) < 3.0


def test_the_silence_gate_leaves_sound_without_silent_frames_untouched():
    noise = 1e-3 * torch.randn(1, 1, 24000, generator=torch.Generator().manual_seed(3))
    wave = harmonic_tone(0.5) + noise  # a noise floor, as in a real room: no frame is silent
    gated = AudioSpectrogram()
    ungated = AudioSpectrogram(UNGATED)
    mel = gated.waveform_to_mel(wave)
    assert torch.equal(gated.mel_to_waveform(mel), ungated.mel_to_waveform(mel))


def test_a_quiet_decay_keeps_its_tail():
    # a struck note dying away 120 dB over a second: its last frames sit near the floor but
    # ask for what the inversion gives them, so neither gate silences them
    t = torch.arange(48000) / 48000
    wave = (harmonic_tone(1.0, 330.0)[0, 0] * 10 ** (-6.0 * t)).reshape(1, 1, -1)
    gated = AudioSpectrogram()
    ungated = AudioSpectrogram(UNGATED)
    mel = gated.waveform_to_mel(wave)
    assert gated._near_floor(mel, gated.config.spill_gate_db).any()  # the tail is near it
    tail = slice(30000, 46000)
    kept = gated.mel_to_waveform(mel, length=48000)[0, 0][tail].square().mean()
    plain = ungated.mel_to_waveform(mel, length=48000)[0, 0][tail].square().mean()
    assert abs(10 * math.log10(kept / plain)) < 1.0


def test_the_silence_gates_are_zero_or_more():
    with pytest.raises(ValueError, match="silence_gate_db"):
        SpectrogramConfig(silence_gate_db=-1.0)
    with pytest.raises(ValueError, match="spill_gate_db"):
        SpectrogramConfig(spill_gate_db=-1.0)


def test_a_linear_spectrum_projects_to_the_mel_and_inverts_closer_than_its_mel():
    spec = AudioSpectrogram()
    chord = tone(1.0, 220.0) + tone(1.0, 233.1) + tone(1.0, 1760.0)  # partials a band merges
    linear = spec.waveform_to_linear(chord)  # [1, 1, N, F]
    mel = spec.waveform_to_mel(chord)
    assert linear.shape == (1, 1, spec.num_bins, mel.shape[-1]) and spec.is_linear(linear)
    assert not spec.is_linear(mel) and torch.equal(spec.to_mel(mel), mel)
    assert torch.allclose(spec.to_mel(linear), mel, atol=1e-4)  # the same bands, exactly
    reference = chord[0, 0]
    from_linear = spec.to_waveform(linear, length=reference.shape[-1])[0, 0]
    from_mel = spec.to_waveform(mel, length=reference.shape[-1])[0, 0]
    assert torch.equal(from_mel, spec.mel_to_waveform(mel, length=reference.shape[-1])[0, 0])
    assert multiscale_mel_distance(reference, from_linear) < multiscale_mel_distance(
        reference, from_mel
    )
    with pytest.raises(ValueError, match="160 mel bands or 1025 STFT bins"):
        spec.to_mel(torch.zeros(1, 1, 7, 4))


def frame_energy_db(spec: AudioSpectrogram, waveform: torch.Tensor, asked: torch.Tensor):
    """Each frame's energy in an inversion [B, 1, S] over what its spectrum asked, in dB."""
    got = spec.linear_power(waveform).sum(dim=2)
    wanted = spec.log_to_power(asked).sum(dim=2)
    return 10 * torch.log10(got / wanted)[0, 0]


def test_an_inversion_comes_back_as_loud_as_its_spectrum_asks():
    # a decoder's spectrum no waveform has: frames alternate between two pitches, so the
    # overlapping windows Griffin-Lim adds up disagree and partly cancel
    restored = AudioSpectrogram()
    plain = AudioSpectrogram(SpectrogramConfig(restore_energy_db=0.0))
    asked = restored.waveform_to_linear(tone(1.0, 440.0))
    asked[..., 1::2] = restored.waveform_to_linear(tone(1.0, 622.3))[..., 1::2]
    inside = slice(4, -4)  # the frames the file's edges do not cut
    lost = frame_energy_db(plain, plain.to_waveform(asked, length=48000), asked)[inside]
    kept = frame_energy_db(restored, restored.to_waveform(asked, length=48000), asked)[inside]
    assert lost.mean() < -2.0  # Griffin-Lim alone comes back quieter than it asks
    assert kept.abs().mean() < 0.2 and kept.abs().max() < 0.5
    # at most restore_energy_db: a frame 3 dB short is brought back 1 dB when 1 is the most
    capped = AudioSpectrogram(SpectrogramConfig(restore_energy_db=1.0))
    part = frame_energy_db(capped, capped.to_waveform(asked, length=48000), asked)[inside]
    assert (part - lost).mean() == pytest.approx(1.0, abs=0.2)
    with pytest.raises(ValueError, match="restore_energy_db"):
        SpectrogramConfig(restore_energy_db=-1.0)


def test_restoring_energy_leaves_a_real_sounds_inversion_and_its_silence_alone():
    wave = syllables()  # bursts with digital silence between them
    restored = AudioSpectrogram()
    plain = AudioSpectrogram(SpectrogramConfig(restore_energy_db=0.0))
    mel = restored.waveform_to_mel(wave)
    length = wave.shape[-1]
    with_restore = restored.mel_to_waveform(mel, length=length)[0, 0]
    without = plain.mel_to_waveform(mel, length=length)[0, 0]
    gap = slice(24000 + 2048, 36000 - 2048)
    assert with_restore[gap].abs().max() == 0 == without[gap].abs().max()
    burst = slice(12000 + 2048, 24000 - 2048)
    ratio_db = 10 * math.log10(with_restore[burst].square().mean() / without[burst].square().mean())
    assert abs(ratio_db) < 0.5  # a spectrum a waveform has: Griffin-Lim kept its energy
