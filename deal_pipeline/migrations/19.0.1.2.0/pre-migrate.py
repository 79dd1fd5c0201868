def migrate(cr, version):
    """The invoice lines' deal column is created empty before the update, so that the ORM does not
    compute it line by line on every journal item: post-migrate fills it in one statement."""
    if version:
        cr.execute("ALTER TABLE account_move_line ADD COLUMN IF NOT EXISTS deal_id integer")
