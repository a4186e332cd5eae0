"""Real-browser tests (marked ``browser``): JupyterLab, Notebook 7 and Voila in headless Chromium."""
