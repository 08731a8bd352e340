"""Whole screens and modal dialogs."""
