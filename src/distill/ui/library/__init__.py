"""The Library tab: the saved models, their health, rename, delete, open in Codes."""
