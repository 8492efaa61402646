"""The domain: tables, the database connection, and the rules of the register.

Nothing here knows about the terminal, printing or file formats.
"""
