"""nbgrader configuration of the cvlab course (run nbgrader from this directory, or use the Make targets).

Layout, nbgrader's defaults: source/<chapter>/<chapter>.ipynb are the instructor versions
(solutions and hidden tests, tracked in git); release/, submitted/, autograded/, feedback/,
gradebook.db and grades.csv are generated or collected here and git-ignored.
"""

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

c.CourseDirectory.course_id = "cvlab"
# The gradebook stays nbgrader's default, <course root>/gradebook.db (git-ignored): it is derived
# data that `make autograde` rebuilds from source/ and submitted/.

# What a student sees in place of a solution region.
c.ClearSolutions.code_stub = {"python": "# 在这里写你的代码（YOUR CODE HERE）\nraise NotImplementedError()"}

# A test cell a student deleted is put back, so it is graded (as failing) instead of silently missing.
c.OverwriteCells.add_missing_cells = True

# Every test cell here runs in well under a second. The rest is room for a loaded machine (many kernels
# sharing two cores), where a kernel may start slowly or an output arrive late: that is not a student's error.
c.Execute.timeout = 60
c.Execute.startup_timeout = 120
c.Execute.iopub_timeout = 30
c.Execute.execute_retries = 2
