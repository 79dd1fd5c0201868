import { RelationalModel } from "@web/model/relational_model/relational_model";

const CLOSING_METHODS = { won: "action_mark_won", lost: "action_mark_lost" };

export class DealKanbanDynamicGroupList extends RelationalModel.DynamicGroupList {
    /**
     * @override
     *
     * A deal dropped onto a won or lost stage goes through the Won or Lost button's method:
     * the lost reason dialog, or the dialog of the open quotations of a deal being won, opens
     * instead of writing the stage, and the board reloads when it closes (the card stays in its
     * column if the dialog is discarded); a deal won at once is celebrated as with the button.
     * Other moves, including refused ones (the card goes back and the error is shown), are
     * handled by the standard kanban.
     */
    async moveRecord(dataRecordId, dataGroupId, refId, targetGroupId) {
        const targetGroup = this.groups.find((g) => g.id === targetGroupId);
        const outcome =
            dataGroupId !== targetGroupId &&
            this.groupByField.name === "stage_id" &&
            targetGroup?.value &&
            (await this._stageOutcome(targetGroup.value));
        if (outcome in CLOSING_METHODS) {
            const sourceGroup = this.groups.find((g) => g.id === dataGroupId);
            const record = sourceGroup.list.records.find((r) => r.id === dataRecordId);
            const action = await this.model.orm.call(
                this.resModel,
                CLOSING_METHODS[outcome],
                [[record.resId]],
                { context: this.context }
            );
            if (action.effect) {
                this.model.effect.add(action.effect);
            }
            await this.model.action.doAction(action, {
                onClose: () => this.model.load(),
            });
            return;
        }
        return super.moveRecord(...arguments);
    }

    async _stageOutcome(stageId) {
        const [stage] = await this.model.orm.read(
            this.groupByField.relation,
            [stageId],
            ["outcome"],
            { context: this.context }
        );
        return stage?.outcome;
    }
}

export class DealKanbanModel extends RelationalModel {
    static DynamicGroupList = DealKanbanDynamicGroupList;
    static services = [...RelationalModel.services, "effect"];

    setup(params, services) {
        super.setup(...arguments);
        this.effect = services.effect;
    }
}
