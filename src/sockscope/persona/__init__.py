"""Persona signals: the marks of accounts run from one desk (creation bursts, templated
handles, one client app, reused bios and images, a shared working schedule), per account
and per group, each tested against random groups of accounts with the same activity."""
