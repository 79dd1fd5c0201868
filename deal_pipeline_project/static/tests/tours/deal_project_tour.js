import { registry } from "@web/core/registry";
import { newQuotationFromBoard } from "@deal_pipeline/../tests/tours/utils/deal_tour_utils";

const DEAL = "Tour project deal";
const preview = ".modal .o_field_widget[name=budget_preview]";

registry.category("web_tour.tours").add("deal_pipeline_project_tour", {
    steps: () => [
        ...newQuotationFromBoard(DEAL, [
            {
                content: "The pipeline's default template is proposed",
                trigger: ".modal .o_field_widget[name=template_id] input:value(Maintenance (test))",
            },
            {
                content: "Its budget: a fixed-price line, no hours",
                trigger: `${preview} .o_deal_quote_budget_fixed:contains(Maintenance Package):contains(Fixed price)`,
            },
            {
                content: "Open the pipeline's templates",
                trigger: ".modal .o_field_widget[name=template_id] input",
                run: "click",
            },
            {
                content: "Pick the website template",
                trigger: ".o-autocomplete--dropdown-item > a:contains(Website project (test))",
                run: "click",
            },
            {
                content: "The budget before the quote exists: design hours",
                trigger: `${preview} .o_deal_quote_budget_service:contains(Web Design Hours):contains(20:00)`,
            },
            {
                content: "Development hours, from the project template's tasks",
                trigger: `${preview} .o_deal_quote_budget_service:contains(Web Development Hours):contains(40:00)`,
            },
            {
                content: "The total",
                trigger: `${preview} .o_deal_quote_budget_total:contains(60:00):contains(6,200.00)`,
            },
            {
                content: "The maintenance line is gone",
                trigger: `${preview}:not(:contains(Maintenance Package))`,
            },
        ]),
        {
            content: "The quote starts from the chosen template",
            trigger: ".o_field_widget[name=sale_order_template_id] input:value(Website project (test))",
        },
        {
            content: "Its lines are the template's",
            trigger: ".o_data_row:contains(Web Development Hours)",
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
            content: "The deal's projects are named after it",
            trigger: `.o_kanban_record:contains(${DEAL} - Website Build)`,
            run: "click",
        },
        {
            content: "The project opens",
            trigger: ".o_action_manager :contains(Page templates)",
        },
    ],
});
