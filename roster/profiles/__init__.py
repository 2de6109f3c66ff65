"""The expert's own profile: each section's rules, what the roster holds, erasure.

Free of Flask; the web's /me pages (``roster.profile``) and the API's /me
(``roster.api.me``) both call it.
"""
