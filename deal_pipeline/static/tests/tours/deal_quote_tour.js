import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import tourUtils from "@sale/js/tours/tour_utils";
import { newQuotationFromBoard } from "@deal_pipeline/../tests/tours/utils/deal_tour_utils";

const DEAL = "Tour quote deal";

registry.category("web_tour.tours").add("deal_pipeline_quote_tour", {
    steps: () => [
        ...newQuotationFromBoard(DEAL),
        {
            content: "The quotation is for the deal's customer",
            trigger: ".o_form_view .o_field_widget[name=partner_id] input:value(Tour Customer)",
        },
        {
            content: "The quotation is linked to the deal",
            trigger: `.o_form_view .o_field_widget[name=deal_id] input:value(${DEAL})`,
        },
        ...tourUtils.addProduct("Deal Consulting Day"),
        {
            content: "Leave the line",
            trigger: ".o_data_row .o_field_widget[name=product_uom_qty] input",
            run: "edit 1 && click body",
        },
        {
            content: "The line is priced",
            trigger: ".o_field_cell[name=price_subtotal]:contains(400.00)",
        },
        ...stepUtils.saveForm(),
        {
            content: "Back to the deal",
            trigger: `.o_breadcrumb .breadcrumb-item a:contains(${DEAL})`,
            run: "click",
        },
        {
            content: "Go to the quotes of the deal",
            trigger: ".o_form_view .o_notebook a[name=quotes]",
            run: "click",
        },
        {
            content: "The new quotation is listed",
            trigger: ".o_field_widget[name=sale_order_ids] .o_data_row:contains(Quotation):contains(400.00)",
        },
        {
            content: "Back to the board",
            trigger: ".o_breadcrumb .breadcrumb-item:first-child a",
            run: "click",
        },
        {
            content: "The card counts one quotation",
            trigger: `.o_kanban_record:contains(${DEAL}) [name=deal_counters] [title=Quotations]:contains(1)`,
        },
    ],
});
