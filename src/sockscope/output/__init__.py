"""Outputs: the result contract (files, networks, result tables) written from one Detection."""
