"""Indexes for a province-sized register (100,000 to 1,000,000 assets, years of loans).

- One department's register sorted by name reads its page in order from an index
  instead of sorting every asset of the department for each page.
- The loan register, newest first (all of it, or one borrower's loans), reads its first
  page from an index instead of sorting every loan on file.
"""


def up(migrator, db):
    db.execute_sql("CREATE INDEX IF NOT EXISTS asset_department_name_no ON asset (department_id, name, asset_no)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS loan_requested ON loan (requested_at, id)")
