import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("deal_pipeline_unassigned_mail_tour", {
    steps: () => [
        {
            content: "Open the mail waiting in the list",
            trigger: ".o_list_view .o_data_row .o_data_cell:contains(Which offer?)",
            run: "click",
        },
        {
            content: "The mail's form lists the customer's open deals",
            trigger:
                ".o_form_view:has(.o_field_widget[name=name]:contains(Which offer?)) .o_field_widget[name=deal_ids]",
        },
        {
            content: "File it on the Cabinets deal",
            trigger:
                ".o_field_widget[name=deal_ids] .o_data_row:contains(Cabinets) button[name=action_file_unassigned_mail]",
            run: "click",
        },
        {
            content: "Back to the list, now empty",
            trigger: ".o_view_nocontent:contains(No mail waits to be filed)",
        },
    ],
});
