"""Speech for the base model: espeak-ng in every language it has (less those the quality
benchmark holds out) and many voice variants, speeds and pitches, reading sentences, numbers
and dates (which it speaks in each language's own words)."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass

ESPEAK_LICENCE = (
    "espeak-ng 1.51 (GPL-3.0-or-later program and voice data); the audio is the output of "
    "its formant synthesiser for text written here, no recorded voice"
)
# The quality benchmark's held-out voices are German, en-us+f3, en-us+m7 and en-us+whisper:
# German is left out entirely, and these variants in every language.
HELD_OUT_LANGUAGES = frozenset({"de"})
HELD_OUT_VARIANTS = frozenset({"f3", "m7", "whisper", "whisperf"})

SENTENCES = (
    "A small boat drifts past the harbour lights while gulls circle overhead.",
    "Could you bring the blue folder to the meeting on Thursday afternoon?",
    "The orchestra tuned slowly, then fell silent as the conductor raised her hand.",
    "Seventy-two bright lanterns floated over the quiet river at midnight.",
    "Never trust a map that was drawn by someone who has never left the valley.",
    "Il pleut doucement sur la ville et les rues brillent sous les lampadaires.",
    "El tren sale a las ocho y llega a la costa antes del mediodía.",
    "Domani mattina andremo al mercato a comprare frutta e pane fresco.",
    "O vento frio da montanha trouxe o cheiro da chuva para a aldeia.",
    "Het oude huis aan de gracht heeft een rode deur en grote ramen.",
    "Wczoraj wieczorem słuchaliśmy muzyki przy otwartym oknie.",
    "Talvella järvi jäätyy ja lapset luistelevat rannan lähellä.",
    "Под старым мостом течёт тихая река, и рыбаки ждут рассвета.",
    "Το καλοκαίρι τα παιδιά παίζουν στην παραλία μέχρι να νυχτώσει.",
    "Sabah erkenden kalkıp deniz kenarında uzun bir yürüyüş yaptık.",
    "Vi åkte till landet och plockade blåbär hela eftermiddagen.",
    "Zítra ráno pojedeme vlakem do hor a budeme chodit celý den.",
    "Hôm nay trời đẹp, chúng tôi đi dạo quanh hồ.",
    "Kesho tutaenda sokoni kununua matunda na mboga.",
    "Ma ei tea, kas homme sajab vihma või paistab päike.",
)
NUMBERS = (
    "1, 2, 3, 4, 5, 6, 7, 8, 9, 10.", "12 345 678.", "1999, 2026, 1848.", "3.14159, 2.71828.",
    "17, 42, 99, 256, 1024.", "8:45, 13:30, 23:59.", "50%, 75%, 100%.",
)  # fmt: skip


@dataclass(frozen=True)
class Utterance:
    """One file to speak: voice (language+variant), speed, pitch, word gap, and the text."""

    name: str
    voice: str
    speed: int
    pitch: int
    gap: int
    text: str

    def command(self, output: str) -> list[str]:
        return [
            "espeak-ng", "-v", self.voice, "-s", str(self.speed), "-p", str(self.pitch),
            "-g", str(self.gap), "-w", output, self.text,
        ]  # fmt: skip


def _listing(kind: str) -> list[str]:
    """espeak-ng's languages ('') or variants ('variant'): the column it takes after -v."""
    argument = "--voices=variant" if kind else "--voices"
    lines = subprocess.run(["espeak-ng", argument], capture_output=True, text=True, check=True)
    rows = [line.split() for line in lines.stdout.splitlines()[1:] if line.strip()]
    if kind:
        return sorted({row[4].removeprefix("!v/") for row in rows if len(row) > 4})
    return sorted({row[1] for row in rows if len(row) > 1})


def languages() -> list[str]:
    return [lang for lang in _listing("") if lang.split("-")[0] not in HELD_OUT_LANGUAGES]


def variants() -> list[str]:
    return [v for v in _listing("variant") if v not in HELD_OUT_VARIANTS]


def utterances(per_language: int, seed: int = 0) -> list[Utterance]:
    """per_language utterances in each language, variants, speeds and pitches drawn at random."""
    rng = random.Random(seed)
    chosen_variants = variants()
    spoken = []
    for language in languages():
        for i in range(per_language):
            variant = rng.choice(["", *chosen_variants])
            text = rng.choice(NUMBERS) if rng.random() < 0.25 else rng.choice(SENTENCES)
            spoken.append(
                Utterance(
                    f"speech_{language}_{i}",
                    f"{language}+{variant}" if variant else language,
                    rng.randint(100, 230),
                    rng.randint(5, 95),
                    rng.choice((0, 0, 2, 6)),
                    text,
                )
            )
    return spoken
