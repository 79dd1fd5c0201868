import { registry } from "@web/core/registry";
import { rottingKanbanView } from "@mail/js/rotting_mixin/rotting_kanban_view";
import { DealKanbanModel } from "./deal_kanban_model";

export const dealKanbanView = {
    ...rottingKanbanView,
    Model: DealKanbanModel,
};

registry.category("views").add("deal_kanban", dealKanbanView);
