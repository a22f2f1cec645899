"""The demo, apart from the engine's core: scripted cases of the real `enforcement` process
(`script`), `qingwei demo` (`run`), the users and cases of `serve --demo` (`seed`) and the demo
campaign of about 300 cases over three districts and several months (`campaign`).

Every demo step goes through `engine.services`, as an HTTP request or the timer worker would.
"""
