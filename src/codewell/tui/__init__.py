"""The Textual shell: the coding app and its screens. Imports nothing heavy (see app.py)."""
