"""The Streamlit app: the entry file, one file per page, small components. Reads only through `reporting`."""
