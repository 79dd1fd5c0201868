import { registry } from "@web/core/registry";

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
        {
            trigger: `${quickCreate} .o_field_widget[name=partner_id] input`,
            run: "edit Quick Customer",
        },
        {
            trigger: ".ui-menu-item > a:contains(Quick Customer)",
            run: "click",
        },
        {
            trigger: `${quickCreate} .o_field_widget[name=name] input`,
            run: "edit Quick deal",
        },
        {
            trigger: `${quickCreate} .o_field_widget[name=amount] input`,
            run: "edit 7500",
        },
        {
            trigger: `${quickCreate} .o_field_widget[name=currency_id] input`,
            run: "edit EUR",
        },
        {
            trigger: ".ui-menu-item > a:contains(EUR)",
            run: "click",
        },
        {
            trigger: `${quickCreate} .o_field_widget[name=expected_close_date] input`,
            run: "edit 12/31/2030",
        },
        {
            trigger: `${quickCreate} .o_kanban_add`,
            run: "click",
        },
        {
            content: "The card shows the expected close date as a date",
            trigger: `${column("Qualification")} .o_kanban_record:contains(Quick deal) .o_field_widget[name=expected_close_date]:contains(2030)`,
        },
    ],
});
