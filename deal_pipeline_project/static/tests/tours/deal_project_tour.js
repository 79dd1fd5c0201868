import { registry } from "@web/core/registry";
import { newQuotationFromBoard, pickMany2one } from "@deal_pipeline/../tests/tours/utils/deal_tour_utils";

const DEAL = "Tour project deal";

registry.category("web_tour.tours").add("deal_pipeline_project_tour", {
    steps: () => [
        ...newQuotationFromBoard(DEAL),
        {
            content: "The pipeline's quotation template is proposed",
            trigger: ".o_field_widget[name=sale_order_template_id] input:value(Maintenance (test))",
        },
        {
            content: "Its lines are the quote's lines",
            trigger: ".o_data_row:contains(Maintenance Package)",
        },
        ...pickMany2one(".o_field_widget[name=sale_order_template_id]", "Website project", "Website project (test)"),
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
