import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

const column = (stage) => `.o_kanban_group:has(.o_column_title:contains(${stage}))`;
const card = ".o_kanban_record:contains(Tour Deal)";

registry.category("web_tour.tours").add("deal_pipeline_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Sales app",
            trigger: ".o_app[data-menu-xmlid='sale.sale_menu_root']",
            run: "click",
        },
        {
            content: "Open the Deals menu",
            trigger: ".o_menu_sections [data-menu-xmlid='deal_pipeline.deal_deal_menu']",
            run: "click",
        },
        {
            content: "Open the board of the pipeline",
            trigger: ".dropdown-item[data-menu-xmlid='deal_pipeline.deal_deal_menu_board']",
            run: "click",
        },
        {
            content: "Proposal Sent holds more deals than the board loads",
            trigger: `${column("Proposal Sent")} .o_kanban_load_more`,
        },
        {
            content: "Its header sums the amount of all of them",
            trigger: `${column("Proposal Sent")} .o_kanban_counter:contains(85,000)`,
        },
        {
            content: "Quick create a deal in New",
            trigger: `${column("New")} .o_kanban_quick_add`,
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=name] input",
            run: "edit Tour Deal",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=partner_id] input",
            run: "edit Tour Customer",
        },
        {
            trigger: ".ui-menu-item > a:contains(Tour Customer)",
            run: "click",
        },
        {
            trigger: ".o_kanban_quick_create .o_field_widget[name=amount] input",
            run: "edit 5000",
        },
        {
            trigger: ".o_kanban_quick_create .o_kanban_add",
            run: "click",
        },
        {
            content: "Close the quick create by clicking outside of it",
            trigger: `${column("New")} ${card}`,
            run: () => document.querySelector(".o_kanban_renderer").click(),
        },
        {
            content: "Drag the new deal from New to Qualification",
            trigger: `body:not(:has(.o_kanban_quick_create)) ${column("New")} ${card}`,
            run: `drag_and_drop (${column("Qualification")})`,
        },
        {
            // once the move is saved (the column's sum is read again after it): a drag while the
            // board is still saving is dropped
            content: "Drag it onto Closed Lost",
            trigger: `${column("Qualification")}:has(.o_kanban_counter:contains(5,000)) ${card}`,
            run: `drag_and_drop (${column("Closed Lost")})`,
        },
        {
            content: "The lost reason wizard opens: discard it",
            trigger: ".modal:has(.o_field_widget[name=lost_reason_id]) button:contains(Discard)",
            run: "click",
        },
        {
            content: "The deal is still in Qualification",
            trigger: `body:not(:has(.modal)) ${column("Qualification")} ${card}`,
        },
        {
            content: "Drag it onto Closed Lost again",
            trigger: `${column("Qualification")} ${card}`,
            run: `drag_and_drop (${column("Closed Lost")})`,
        },
        {
            trigger: ".modal .o_field_widget[name=lost_reason_id] input",
            run: "edit Too expensive",
        },
        {
            trigger: ".ui-menu-item > a:contains(Too expensive)",
            run: "click",
        },
        {
            content: "Confirm the lost reason",
            trigger: ".modal button[name=action_lost_confirm]",
            run: "click",
        },
        {
            content: "The deal left Qualification for the folded Closed Lost column",
            trigger: `body:not(:has(.modal)) ${column("Qualification")}:not(:has(${card}))`,
        },
        {
            trigger: `${column("Closed Lost")}.o_column_folded:contains((1))`,
            run: "click",
        },
        {
            content: "Open the lost deal",
            trigger: `${column("Closed Lost")}:not(.o_column_folded) ${card}`,
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=lost_reason_id] input:value(Too expensive)",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(Details)",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(Quotes)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link.active:contains(Quotes)",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link:contains(Invoices)",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_notebook .nav-link.active:contains(Invoices)",
        },
    ],
});
