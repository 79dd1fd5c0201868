import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("deal_pipeline_crm_converted_tour", {
    steps: () => [
        {
            content: "CRM's pipeline shows the salesperson's opportunities still in CRM",
            trigger: ".o_kanban_renderer .o_kanban_record:contains(Office chairs)",
        },
        {
            content: "The opportunity converted into a deal is no longer there",
            trigger: ".o_kanban_renderer:not(:has(.o_kanban_record:contains(Website redesign)))",
        },
    ],
});
