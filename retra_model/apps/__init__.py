"""The Voilà apps' logic: German formatting, widget callbacks as plain, tested functions.

Nothing here imports a sampler: the apps run the engine's fast, vectorised ensembles
(and read cached ones where they exist), never MCMC.
"""
