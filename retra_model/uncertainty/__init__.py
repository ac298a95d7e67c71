"""Uncertainty: calibrated posteriors, their draws, ensembles and global sensitivity.

=================  =====================================================================
module             what it does
=================  =====================================================================
``draws``          reads the cached posteriors (``data/posteriors/*.nc``) with xarray only
                   and turns uniform numbers into joint posterior draws; the engine's path
``ensemble``       cached quantiles of curated scenarios for the apps, with stale checks
``sensitivity``    Sobol indices (SALib) of jobs per district to each uncertain input
``calibrate``      the PyMC models and ``retra calibrate``; imported only by that command
                   and by tests, never by the engine or an app
``cli``            the ``retra calibrate`` sub-command
=================  =====================================================================

Nothing here is imported by :mod:`retra_model` itself; import the module you need.
"""
