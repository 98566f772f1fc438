"""End-to-end tests: real Chromium (Debian's /usr/bin/chromium) against `streamlit run app.py`."""
