import { registry } from "@web/core/registry";

const column = (stage) => `.o_kanban_group:has(.o_column_title:contains(${stage}))`;
const card = ".o_kanban_record:contains(Tour Sales Deal)";

registry.category("web_tour.tours").add("deal_pipeline_drop_tour", {
    steps: () => [
        {
            content: "Drag a deal of the Sales pipeline onto a stage of another pipeline",
            trigger: `${column("New")} ${card}`,
            run: `drag_and_drop (${column("Tour Review")})`,
        },
        {
            content: "The refused stage change is explained",
            trigger: ".modal:contains(is not used by the pipeline) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The card is back in its column",
            trigger: `body:not(:has(.modal)) ${column("New")} ${card}`,
        },
        {
            trigger: `${column("Tour Review")}:not(:has(${card}))`,
        },
        {
            content: "Drop the deal on Closed Won",
            trigger: `${column("New")} ${card}`,
            run: `drag_and_drop (${column("Closed Won")})`,
        },
        {
            content: "Without open quotations, it is won at once, as with the Won button: it leaves the Open deals",
            trigger: `body:not(:has(.modal)):not(:has(${card}))`,
        },
    ],
});

const closedCard = ".o_kanban_record:contains(Tour quoted deal)";

registry.category("web_tour.tours").add("deal_pipeline_drop_closed_tour", {
    steps: () => [
        {
            content: "Drop a deal with open quotations on Closed Won",
            trigger: `${column("Proposal Sent")} ${closedCard}`,
            run: `drag_and_drop (${column("Closed Won")})`,
        },
        {
            content: "The Won dialog lists the open quotation",
            trigger: ".modal .o_field_widget[name=quotation_ids] .o_data_row",
        },
        {
            content: "Cancelling them is the explicit, secondary choice",
            trigger: ".modal-footer button.btn-secondary[name=action_won_cancel_quotations]",
        },
        {
            content: "Keep them, the highlighted default",
            trigger: ".modal-footer button.btn-primary[name=action_won_keep_quotations]",
            run: "click",
        },
        {
            content: "The deal is in Closed Won",
            trigger: `body:not(:has(.modal)) ${column("Closed Won")} ${closedCard}`,
        },
        {
            content: "Drop another deal on the second lost column",
            trigger: `${column("Proposal Sent")} .o_kanban_record:contains(Tour stalled deal)`,
            run: `drag_and_drop (${column("Tour No Decision")})`,
        },
        {
            content: "The Lost dialog asks for a reason",
            trigger: ".modal .o_field_widget[name=lost_reason_id] input",
            run: "click",
        },
        {
            trigger: ".o-autocomplete--dropdown-item > a:contains(Too expensive)",
            run: "click",
        },
        {
            trigger: ".modal-footer button[name=action_lost_confirm]",
            run: "click",
        },
        {
            content: "The deal is in the column it was dropped on",
            trigger: `body:not(:has(.modal)) ${column("Tour No Decision")} .o_kanban_record:contains(Tour stalled deal)`,
        },
    ],
});
