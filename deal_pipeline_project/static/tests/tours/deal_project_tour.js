import { registry } from "@web/core/registry";

const DEAL = "Tour project deal";

registry.category("web_tour.tours").add("deal_pipeline_project_tour", {
    steps: () => [
        {
            content: "Open the deal in Proposal Sent from the board",
            trigger: `.o_kanban_record:contains(${DEAL})`,
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
        {
            content: "The pipeline's quotation template is proposed",
            trigger: ".o_field_widget[name=sale_order_template_id] input:value(Maintenance (test))",
        },
        {
            content: "Its lines are the quote's lines",
            trigger: ".o_data_row:contains(Maintenance Package)",
        },
        {
            content: "Pick another template",
            trigger: ".o_field_widget[name=sale_order_template_id] input",
            run: "edit Website project",
        },
        {
            content: "The website template",
            trigger: ".o-autocomplete--dropdown-item:contains(Website project (test))",
            run: "click",
        },
        {
            content: "Its hours are the quote's lines",
            trigger: ".o_data_row:contains(Web Development Hours)",
        },
        {
            content: "The old lines are gone",
            trigger: ".o_field_widget[name=order_line]:not(:contains(Maintenance Package))",
        },
        {
            content: "Confirm the quote",
            trigger: ".o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The quote is a sales order",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "Back to the deal",
            trigger: `.o_breadcrumb .breadcrumb-item a:contains(${DEAL})`,
            run: "click",
        },
        {
            content: "The deal is won",
            trigger: ".o_form_view .ribbon:contains(Won)",
        },
        {
            content: "Open its projects",
            trigger: "button[name=action_view_projects]:contains(2)",
            run: "click",
        },
        {
            content: "The deal's projects are listed",
            trigger: ".o_kanban_record:contains(Website Build)",
            run: "click",
        },
        {
            content: "The project opens",
            trigger: ".o_action_manager :contains(Page templates)",
        },
    ],
});
