import { registry } from "@web/core/registry";
import { pickMany2one } from "@deal_pipeline/../tests/tours/utils/deal_tour_utils";

const column = (stage) => `.o_kanban_group:has(.o_column_title:contains(${stage}))`;
const quickCreate = ".o_kanban_quick_create";

registry.category("web_tour.tours").add("deal_pipeline_quick_create_tour", {
    steps: () => [
        {
            content: "The board is the bookmarked pipeline's: its deal is there, not the other pipeline's",
            trigger: `body:has(.o_breadcrumb:contains(Renewals)) .o_kanban_record:contains(Renewal deal)`,
        },
        {
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains(Sales deal)))",
        },
        {
            content: "Quick create a deal in Qualification",
            trigger: `${column("Qualification")} .o_kanban_quick_add`,
            run: "click",
        },
        {
            content: "The owner is me by default",
            trigger: `${quickCreate} .o_field_widget[name=user_id] input:value(Sam Salesman)`,
        },
        ...pickMany2one(`${quickCreate} .o_field_widget[name=partner_id]`, "Quick Customer"),
        {
            trigger: `${quickCreate} .o_field_widget[name=name] input`,
            run: "edit Quick deal",
        },
        {
            content: "A negative amount, by mistake",
            trigger: `${quickCreate} .o_field_widget[name=amount] input`,
            run: "edit -7500",
        },
        ...pickMany2one(`${quickCreate} .o_field_widget[name=currency_id]`, "EUR"),
        {
            trigger: `${quickCreate} .o_field_widget[name=expected_close_date] input`,
            run: "edit 12/31/2030",
        },
        {
            trigger: `${quickCreate} .o_kanban_add`,
            run: "click",
        },
        {
            content: "The message names the field",
            trigger: ".o_notification:contains(The deal was not created):contains(Estimated Amount)",
        },
        {
            content: "No dialog opened: the quick create still holds what was typed",
            trigger: `body:not(:has(.modal)) ${quickCreate} .o_field_widget[name=name] input:value(Quick deal)`,
        },
        {
            trigger: `${quickCreate} .o_field_widget[name=partner_id] input:value(Quick Customer)`,
        },
        {
            content: "Correct the amount",
            trigger: `${quickCreate} .o_field_widget[name=amount] input:value(7,500)`,
            run: "edit 7500",
        },
        {
            trigger: `${quickCreate} .o_kanban_add`,
            run: "click",
        },
        {
            content: "The next quick create starts empty, not with the last name",
            trigger: `${column("Qualification")}:has(.o_kanban_record:contains(Quick deal)) ${quickCreate} .o_field_widget[name=name] input:value(/^$/)`,
        },
        {
            content: "The card shows the expected close date as a date",
            trigger: `${column("Qualification")} .o_kanban_record:contains(Quick deal) .o_field_widget[name=expected_close_date]:contains(2030)`,
        },
    ],
});
