def migrate(cr, version):
    """The date of the last mail in or out of the existing deals, from their chatter (the
    messages that deal.deal._message_post_after_hook counts from now on)."""
    cr.execute(
        """UPDATE deal_deal d SET date_last_mail = m.last_date
             FROM (SELECT msg.res_id, MAX(msg.date) AS last_date
                     FROM mail_message msg
                     JOIN mail_message_subtype st ON st.id = msg.subtype_id
                    WHERE msg.model = 'deal.deal'
                      AND msg.message_type IN ('email', 'comment')
                      AND st.internal IS NOT TRUE
                    GROUP BY msg.res_id) m
            WHERE d.id = m.res_id"""
    )
