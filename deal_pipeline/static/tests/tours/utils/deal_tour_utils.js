/** Steps shared by the tours of deal_pipeline and its bridges. */

/**
 * From the board, open the deal's form, open the New Quote dialog of its header, run
 * ``dialogSteps`` in it (by default: start from what it proposes) and create the quote.
 */
export function newQuotationFromBoard(deal, dialogSteps = []) {
    return [
        {
            content: "Open the deal in Proposal Sent from the board",
            trigger: `.o_kanban_record:contains(${deal})`,
            run: "click",
        },
        {
            content: "New Quote, in the deal's header",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(New Quote)",
            run: "click",
        },
        {
            content: "The New Quote dialog opens",
            trigger: ".modal .modal-title:contains(New Quote)",
        },
        ...dialogSteps,
        {
            content: "Create the quote",
            trigger: ".modal button[name=action_new_quotation]",
            run: "click",
        },
    ];
}

/** Type ``search`` into the many2one input under ``field`` and pick the option ``option``. */
export function pickMany2one(field, search, option = search) {
    return [
        {
            content: `Search “${search}”`,
            trigger: `${field} input`,
            run: `edit ${search}`,
        },
        {
            content: `Pick “${option}”`,
            trigger: `.o-autocomplete--dropdown-item > a:contains(${option})`,
            run: "click",
        },
    ];
}
