"""The pages, split by area: patients (registry and regimens), and more as the app grows.

Views are thin functions: they check access, make one call into domain code and render.
"""
