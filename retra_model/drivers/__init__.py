"""The drivers of employment change, one module each, pure functions on arrays.

Shape convention: arrays broadcast over ``(draw, district, sector, year)``; a parameter
that is the same everywhere has shape ``(draw, 1, 1, 1)``. No driver does I/O, keeps state
or imports the engine. Each returns either a *factor* on base-year employment (trend,
electrification, volume) or an *additive* change in persons (projects); the engine
combines them and attributes every job to one driver.

=================  ===========================================================
module             what it computes
=================  ===========================================================
``trend``          structural drift per sector and district from recent history
``electrification``  powertrain mix of production and the labour it needs
``volume``         vehicle output and labour productivity
``projects``       dated plants, programmes and job-reduction agreements
``gva``            value added per employee over time
=================  ===========================================================
"""
