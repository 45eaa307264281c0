"""The base model's making: the openly licensed audio it learns from, rendered here, its
pretraining, and its data card (DESIGN.md 15). `make base-model` runs it all."""
