def migrate(cr, version):
    """Each product line of an existing customer invoice or credit note counts for the deal of the
    order it invoices, else for its invoice's deal (account.move.line._compute_deal_id), posted
    invoices included."""
    if not version:
        return
    cr.execute(
        """
        UPDATE account_move_line line
           SET deal_id = COALESCE(
                   (SELECT so.deal_id
                      FROM sale_order_line_invoice_rel rel
                      JOIN sale_order_line sol ON sol.id = rel.order_line_id
                      JOIN sale_order so ON so.id = sol.order_id
                     WHERE rel.invoice_line_id = line.id AND so.deal_id IS NOT NULL
                     ORDER BY sol.id
                     LIMIT 1),
                   move.deal_id)
          FROM account_move move
         WHERE move.id = line.move_id AND line.display_type = 'product'
           AND move.move_type IN ('out_invoice', 'out_refund')
        """
    )
