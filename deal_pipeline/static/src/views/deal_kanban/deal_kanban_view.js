import { registry } from "@web/core/registry";
import { rottingKanbanView } from "@mail/js/rotting_mixin/rotting_kanban_view";
import { DealKanbanModel } from "./deal_kanban_model";
import { DealKanbanRenderer } from "./deal_kanban_renderer";

export const dealKanbanView = {
    ...rottingKanbanView,
    Model: DealKanbanModel,
    Renderer: DealKanbanRenderer,
};

registry.category("views").add("deal_kanban", dealKanbanView);
