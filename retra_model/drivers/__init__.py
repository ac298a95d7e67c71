"""The drivers of employment change, one module each, pure functions on arrays.

Shape convention: arrays broadcast over ``(draw, district, sector, year)``; a parameter
that is the same everywhere has shape ``(draw, 1, 1, 1)``. No driver reads files or imports
the engine (the one state is the national input-output table, built once per process from
the loaded data, :func:`.input_output.national_model`). Each returns a *factor* on base-year
employment (trend, electrification, volume and its productivity), an *additive* change in
persons (projects), a *demand* in EUR million (infrastructure), the value added per employee
(gva) or, after a run, the labour-market tables (labour); the engine combines them and
attributes every job to one driver.

Each driver module has ``inputs(scenario, region)``, its data lookups and checks (no draws;
a located :class:`~retra_model.errors.ScenarioError` for what the data cannot give), and
``effect(inputs, sampler, …)``, its arrays for every draw. What each driver *is* (kind,
propagation through the input-output model, scenario section, names, Lab) is declared once
in :mod:`.registry`; :meth:`retra_model.scenario.Scenario.check` runs every ``inputs``.

=================  ===========================================================
module             what it computes
=================  ===========================================================
``registry``       what each driver is, in the order of the decomposition
``trend``          structural drift per sector and district from recent history
``electrification``  powertrain mix of production and the labour it needs
``volume``         vehicle output and labour productivity
``projects``       dated plants, programmes and job-reduction agreements
``infrastructure`` build-out of charging, grids and hydrogen → regional demand
``input_output``   the regional input-output model (indirect and induced effects)
``gva``            value added per employee over time
``labour``         retirements, occupations, commuting, requalification (after a run)
``_distributions`` inverse CDFs of the lever distributions
``_piecewise``     linear ramps between given years
=================  ===========================================================
"""
