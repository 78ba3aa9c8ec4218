"""Every query the app, the pack and the CLI exports run.

Pure functions of a read-only reader, a principal and filters; no Streamlit, no Dagster.
"""
