"""The environment variables the simulator sets for each hub it starts (``icalbridge.sim_hub``).

Apart from ``hub_process`` so that the hub's entry point can read them before Django is set
up: ``hub_process`` imports the models.
"""

# Set in the hub's environment to run it with a part of the engine switched off, so that
# a test can show the simulation sees what that part prevents.
BREAK_VARIABLE = "ICALBRIDGE_SIM_BREAK"
# The simulation process the hub belongs to.
PARENT_VARIABLE = "ICALBRIDGE_SIM_PARENT_PID"
