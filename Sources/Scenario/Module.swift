// The scenario runner: scenario model, environment bring-up, steps and reports (grows with the harness issue).
