/** Steps shared by the tours of deal_pipeline and its bridges. */

/** From the board, open the deal's form and create a quotation from its Quotes tab. */
export function newQuotationFromBoard(deal) {
    return [
        {
            content: "Open the deal in Proposal Sent from the board",
            trigger: `.o_kanban_record:contains(${deal})`,
            run: "click",
        },
        {
            content: "Go to the quotes of the deal",
            trigger: ".o_form_view .o_notebook a[name=quotes]",
            run: "click",
        },
        {
            content: "Create a quotation",
            trigger: "button[name=action_new_quotation]",
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
