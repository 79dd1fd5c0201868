import { registry } from "@web/core/registry";

const DEAL = "Tour won deal";

registry.category("web_tour.tours").add("deal_pipeline_won_tour", {
    steps: () => [
        {
            content: "Open the deal from the board",
            trigger: `.o_kanban_record:contains(${DEAL})`,
            run: "click",
        },
        {
            content: "Mark it as won",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_mark_won]",
            run: "click",
        },
        {
            content: "The dialog lists the two open quotations",
            trigger: ".modal .o_field_widget[name=quotation_ids] .o_data_row:nth-child(2)",
        },
        {
            content: "Cancel them and mark the deal as won",
            trigger: ".modal button[name=action_won_cancel_quotations]",
            run: "click",
        },
        {
            content: "The deal is won",
            trigger: "body:not(:has(.modal)) .o_form_view .ribbon:contains(Won)",
        },
    ],
});
