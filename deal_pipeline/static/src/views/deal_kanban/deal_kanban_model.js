import { RelationalModel } from "@web/model/relational_model/relational_model";

export class DealKanbanDynamicGroupList extends RelationalModel.DynamicGroupList {
    /**
     * @override
     *
     * A deal dropped onto a lost stage is not written there: the lost reason wizard of
     * `action_mark_lost` opens instead, and the board reloads when it closes (the card stays in
     * its column if the wizard is discarded). Other moves, including refused ones (the card goes
     * back and the error is shown), are handled by the standard kanban.
     */
    async moveRecord(dataRecordId, dataGroupId, refId, targetGroupId) {
        const targetGroup = this.groups.find((g) => g.id === targetGroupId);
        if (
            dataGroupId !== targetGroupId &&
            this.groupByField.name === "stage_id" &&
            targetGroup?.value &&
            (await this._isLostStage(targetGroup.value))
        ) {
            const sourceGroup = this.groups.find((g) => g.id === dataGroupId);
            const record = sourceGroup.list.records.find((r) => r.id === dataRecordId);
            const action = await this.model.orm.call(this.resModel, "action_mark_lost", [[record.resId]], {
                context: this.context,
            });
            await this.model.action.doAction(action, {
                onClose: () => this.model.load(),
            });
            return;
        }
        return super.moveRecord(...arguments);
    }

    async _isLostStage(stageId) {
        const [stage] = await this.model.orm.read(this.groupByField.relation, [stageId], ["outcome"], {
            context: this.context,
        });
        return stage?.outcome === "lost";
    }
}

export class DealKanbanModel extends RelationalModel {
    static DynamicGroupList = DealKanbanDynamicGroupList;
}
