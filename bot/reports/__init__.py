"""Weekly figures for managers: what the service did, week by week, per district."""
